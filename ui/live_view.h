// The large live view: the stylized frame letterboxed in the widget, a draggable
// before/after split handle showing the original on its left, and the HUD.
#pragma once

#include <QImage>
#include <QWidget>

#include "studio/studio_types.h"

namespace stylize::ui {

class LiveView : public QWidget {
    Q_OBJECT
public:
    explicit LiveView(QWidget* parent = nullptr);

    // 0: all "after" (stylized); 1: all "before" (original). Default 0.5 shows both.
    double splitPosition() const { return split_; }
    void setSplitPosition(double position);
    bool hudVisible() const { return hudVisible_; }
    const QImage& stylizedFrame() const { return stylized_; }
    // While a style is being prepared the source plays unstylized: both sides are one image.
    bool showsStylizedFrame() const { return !stylized_.isNull() && stylized_.cacheKey() != original_.cacheKey(); }

public slots:
    void showFrames(const QImage& stylized, const QImage& original);
    void showStats(const stylize::studio::LiveStats& stats);
    void setHudVisible(bool visible);
    // A line shown over the view (e.g. "Starting…", or what failed); empty hides it.
    void setStatusText(const QString& text);

signals:
    void splitMoved(double position);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QRect imageRect() const;  // where the frame is drawn, aspect kept
    int handleX() const;
    void paintHud(QPainter& p, const QRect& area);

    QImage stylized_, original_;
    stylize::studio::LiveStats stats_;
    QString status_;
    double split_ = 0.5;
    bool dragging_ = false;
    bool hudVisible_ = true;
};

}  // namespace stylize::ui
